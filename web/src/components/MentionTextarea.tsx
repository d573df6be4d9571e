import { useEffect, useRef, useState } from "preact/hooks";
import { type Mentionable, type MentionQuery, insertMention, mentionAt, offered } from "../mentions";
import { people } from "../state/project";

type Props = {
  id: string;
  value: string;
  rows: number;
  onValue: (value: string) => void;
  onKeyDown?: (event: KeyboardEvent) => void;
  placeholder?: string;
  invalid?: boolean;
  describedBy?: string;
  /** Takes the focus when it appears (an editor opened by a button). */
  focusOnMount?: boolean;
};

// ARIA 1.2 lets a combobox be a multi-line field; the element types know textarea only as a textbox.
const COMBOBOX = { role: "combobox" } as Record<string, string>;

function mentionables(): Mentionable[] {
  return [
    ...people.value.members.map((member) => ({ ref: member.user_id, name: member.name, team: false })),
    ...people.value.teams.map((team) => ({ ref: `team:${team.id}`, name: team.name, team: true })),
  ];
}

/** A textarea where `@` offers the project's members and teams (a combobox with its listbox: arrows move,
 *  Enter or Tab picks, Esc closes) and the one picked goes in as its mention token. */
export function MentionTextarea({ id, value, rows, onValue, onKeyDown, placeholder, invalid, describedBy,
  focusOnMount }: Props) {
  const field = useRef<HTMLTextAreaElement | null>(null);
  useEffect(() => {
    if (focusOnMount) field.current?.focus();
  }, []);
  const [query, setQuery] = useState<MentionQuery | null>(null);
  const [active, setActive] = useState(0);
  const options = query ? offered(mentionables(), query.text) : [];
  const open = options.length > 0;
  const listId = `${id}-mentions`;

  function follow(target: HTMLTextAreaElement) {
    const found = mentionAt(target.value, target.selectionStart ?? target.value.length);
    if (found?.start !== query?.start || found?.text !== query?.text) setActive(0);
    setQuery(found);
  }

  function pick(choice: Mentionable) {
    if (!query) return;
    const { text, caret } = insertMention(value, query, choice);
    onValue(text);
    setQuery(null);
    requestAnimationFrame(() => {
      const target = field.current;
      if (target) {
        target.focus();
        target.setSelectionRange(caret, caret);
      }
    });
  }

  function keyDown(event: KeyboardEvent) {
    if (open) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive((active + step + options.length) % options.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        if (!(event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          pick(options[Math.min(active, options.length - 1)]);
          return;
        }
      }
      if (event.key === "Escape") {
        event.preventDefault(); // closes the list only: the field keeps its focus and the page stays
        setQuery(null);
        return;
      }
    }
    onKeyDown?.(event);
  }

  return (
    <div class="mention-field">
      <textarea
        id={id}
        ref={field}
        rows={rows}
        value={value}
        placeholder={placeholder}
        {...COMBOBOX}
        aria-autocomplete="list"
        aria-expanded={open ? "true" : "false"}
        aria-controls={listId}
        aria-activedescendant={open ? `${listId}-${Math.min(active, options.length - 1)}` : undefined}
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={describedBy}
        onInput={(e) => {
          const target = e.target as HTMLTextAreaElement;
          onValue(target.value);
          follow(target);
        }}
        onKeyDown={keyDown}
        onKeyUp={(e) => {
          if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) follow(e.target as HTMLTextAreaElement);
        }}
        onClick={(e) => follow(e.target as HTMLTextAreaElement)}
        onBlur={() => setQuery(null)}
      />
      <ul id={listId} role="listbox" aria-label="Mention someone" class="mention-list" hidden={!open}>
        {options.map((option, index) => (
          <li
            key={option.ref}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active ? "true" : "false"}
            class={index === active ? "active" : undefined}
            onMouseDown={(e) => {
              e.preventDefault(); // keeps the focus in the field
              pick(option);
            }}
          >
            <span aria-hidden="true" class="avatar small">{option.team ? "#" : option.name.charAt(0).toUpperCase()}</span>
            {option.name}
            {option.team && <span class="muted small"> team</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
