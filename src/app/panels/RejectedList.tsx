// Files and rows an import left out, each with its reason (binary, empty, too large, malformed…).
import type { RejectedInput } from '../../data/input-files.ts';

export function RejectedList({ title, items }: { title: string; items: readonly RejectedInput[] }) {
  if (items.length === 0) return null;
  return (
    <details className="rejected" open={items.length <= 8}>
      <summary>{title} ({items.length})</summary>
      <ul>
        {items.map((r, i) => (
          <li key={i}>
            <code>{r.line === undefined ? r.file : `${r.file}:${r.line}`}</code> {r.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}
