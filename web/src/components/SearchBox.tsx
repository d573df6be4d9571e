import { useEffect, useRef, useState } from "preact/hooks";
import { Icon } from "./Icon";

/** Search as you type: the search is sent once typing pauses. */
export function SearchBox({ value, onSearch, searchRef }: {
  value: string | undefined;
  onSearch: (value: string | undefined) => void;
  searchRef: { current: HTMLInputElement | null };
}) {
  const [text, setText] = useState(value ?? "");
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (document.activeElement !== searchRef.current) setText(value ?? "");
  }, [value]);
  // A search still waiting to be sent is dropped with the list it was typed into.
  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <div class="search">
      <Icon name="search" />
      <label for="search" class="sr-only">
        Search
      </label>
      <input
        id="search"
        ref={searchRef}
        type="search"
        placeholder="Search tickets  ( / )"
        value={text}
        autocomplete="off"
        onInput={(event) => {
          const typed = (event.target as HTMLInputElement).value;
          setText(typed);
          clearTimeout(timer.current);
          timer.current = window.setTimeout(() => {
            if ((typed.trim() || undefined) !== value) onSearch(typed.trim() || undefined);
          }, 250);
        }}
      />
    </div>
  );
}
