// What the state modules need of a browser, in node: an address, history and timers. Set before any
// module of the app is evaluated (the router reads the address as it loads).
export {};

const BASE = "http://ticketry.test/";
const address = new URL(BASE + "sign-in");

const go = (_state: unknown, _title: string, url: string) => {
  const next = new URL(url, BASE);
  address.pathname = next.pathname;
  address.search = next.search;
  address.hash = next.hash;
};

// A notice's timer would keep node running for seconds after the last test.
const setTimer = globalThis.setTimeout;
const unrefTimer = ((...args: Parameters<typeof setTimeout>) => {
  const timer = setTimer(...args);
  timer.unref?.();
  return timer;
}) as typeof setTimeout;

Object.assign(globalThis, {
  setTimeout: unrefTimer,
  window: globalThis,
  location: {
    get pathname() { return address.pathname; },
    get search() { return address.search; },
    get hash() { return address.hash; },
    get origin() { return address.origin; },
    get href() { return address.href; },
    assign: go.bind(null, null, ""),
  },
  document: { baseURI: BASE, hidden: false },
  history: { pushState: go, replaceState: go },
  addEventListener: () => {},
  scrollTo: () => {},
});
