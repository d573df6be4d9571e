// The profile: the account's name, and the browsers signed in to it, each of which can be signed out.
import { signal } from "@preact/signals";
import { asApiError, messageOf } from "../api/client";
import { type Account, endOtherSessions, endSession, getAccount, listSessions, renameAccount, type SignedInSession } from "../api/session";
import { session } from "../session";
import { tell } from "./notice";
import { signOut, toSignIn } from "./session";

export function createProfile() {
  const account = signal<Account | null>(null);
  const sessions = signal<SignedInSession[] | null>(null);
  const name = signal("");
  const nameProblem = signal<string | null>(null);
  const saving = signal(false);
  /** The sessions being signed out, by id. */
  const ending = signal<Set<string>>(new Set());
  const failure = signal<string | null>(null);

  async function load(): Promise<void> {
    failure.value = null;
    try {
      const [accountReply, sessionsReply] = await Promise.all([getAccount(), listSessions()]);
      account.value = accountReply.body;
      name.value = accountReply.body.name;
      sessions.value = sortSessions(sessionsReply.body.sessions);
    } catch (error) {
      failure.value = messageOf(error);
    }
  }

  async function saveName(): Promise<boolean> {
    const typed = name.value.trim();
    nameProblem.value = typed ? null : "Enter your name";
    if (!typed) return false;
    saving.value = true;
    try {
      account.value = (await renameAccount(typed)).body;
      name.value = account.value.name;
      // The top bar shows the name from the session's answer.
      if (session.value) session.value = { ...session.value, principal: { ...session.value.principal, name: account.value.name } };
      tell("Name saved");
      return true;
    } catch (error) {
      nameProblem.value = asApiError(error).forField("name") ?? messageOf(error);
      return false;
    } finally {
      saving.value = false;
    }
  }

  async function end(target: SignedInSession): Promise<void> {
    ending.value = new Set([...ending.value, target.id]);
    try {
      await endSession(target.id);
      sessions.value = (sessions.value ?? []).filter((each) => each.id !== target.id);
      tell(`Signed out ${deviceOf(target)}`);
    } catch (error) {
      tell(messageOf(error), "error");
    } finally {
      ending.value = new Set([...ending.value].filter((id) => id !== target.id));
    }
  }

  /** Every other session first, then this one: nothing stays signed in. */
  async function endEverywhere(): Promise<void> {
    try {
      await endOtherSessions();
    } catch (error) {
      tell(messageOf(error), "error");
      return;
    }
    await signOut();
    toSignIn("You were signed out on every device.");
  }

  return { account, sessions, name, nameProblem, saving, ending, failure, load, saveName, end, endEverywhere };
}

/** This browser first, then the most recently used. */
function sortSessions(list: SignedInSession[]): SignedInSession[] {
  return [...list].sort((a, b) => Number(b.current) - Number(a.current) || b.last_used_at.localeCompare(a.last_used_at));
}

/** What a session is, said to a person: the API's device, else a guess from the browser's user agent. */
export function deviceOf(entry: Pick<SignedInSession, "device" | "user_agent">): string {
  return entry.device || describeAgent(entry.user_agent);
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\/|FxiOS/, "Firefox"],
  [/Chrome\/|CriOS|Chromium/, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//, "curl"],
];
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, "iOS"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

export function describeAgent(agent: string | null): string {
  if (!agent) return "Unknown device";
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? "Unknown browser";
}

/** How the session was signed in. */
export function methodLabel(method: string): string {
  if (method.startsWith("oidc:")) return "Single sign-on";
  return { email_code: "Email code", email_link: "Email link", link: "Sign-in link" }[method] ?? method;
}
