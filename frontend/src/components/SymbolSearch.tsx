import { useEffect, useId, useState } from "react";

import type { SymbolMatch } from "../api/types";
import { useApp } from "../context";

/** A symbol box that suggests matches from the broker's symbol search (arrow keys + Enter). */
export function SymbolSearch({
  accountId,
  value,
  onChange,
  label = "Symbol",
  error,
}: {
  accountId: string;
  value: string;
  onChange: (symbol: string) => void;
  label?: string;
  error?: string | null;
}) {
  const { client } = useApp();
  const [text, setText] = useState(value);
  const [matches, setMatches] = useState<SymbolMatch[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const errorId = useId();

  useEffect(() => setText(value), [value]);
  useEffect(() => {
    const query = text.trim();
    if (!open || query.length < 1) {
      setMatches([]);
      return;
    }
    const timer = window.setTimeout(() => {
      client
        .search(accountId, query)
        .then((found) => setMatches(found.slice(0, 8)))
        .catch(() => setMatches([]));
    }, 250);
    return () => window.clearTimeout(timer);
  }, [client, accountId, text, open]);

  const choose = (symbol: string) => {
    setText(symbol);
    setOpen(false);
    setActive(-1);
    onChange(symbol);
  };

  return (
    <div className="field symbol-search">
      <label htmlFor={`${listId}-input`}>
        <span className="field-label">{label}</span>
      </label>
      <input
        id={`${listId}-input`}
        role="combobox"
        aria-expanded={open && matches.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(event) => {
          setText(event.target.value.toUpperCase());
          setOpen(true);
        }}
        onBlur={() => {
          window.setTimeout(() => setOpen(false), 150);
          if (text.trim() && text.trim() !== value) onChange(text.trim());
        }}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setOpen(true);
            setActive(Math.min(active + 1, matches.length - 1));
          } else if (event.key === "ArrowUp") {
            event.preventDefault();
            setActive(Math.max(active - 1, -1));
          } else if (event.key === "Enter") {
            event.preventDefault();
            const picked = active >= 0 ? matches[active] : undefined;
            choose(picked ? picked.symbol : text.trim());
          } else if (event.key === "Escape") {
            setOpen(false);
          }
        }}
      />
      {open && matches.length > 0 ? (
        <ul className="suggestions" role="listbox" id={listId} aria-label="Matching symbols">
          {matches.map((match, index) => (
            <li
              key={match.symbol}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(match.symbol);
              }}
            >
              <strong>{match.symbol}</strong> <span className="muted">{match.description}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p className="error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
