/**
 * A table of rows with column headers, in the scrolling wrapper every table of the app uses; on narrow screens
 * (styles.css, `.data-table`) each row is a card and each cell shows its column's header, which this component
 * copies onto the cells as `data-label` after every render. Must never sort, page or fetch: the page gives the rows.
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

export function DataTable({ headers, children }: { headers: ComponentChildren[]; children: ComponentChildren }) {
  const ref = useRef<HTMLTableElement>(null);
  // no dependency list: rows change with every render of the page that owns them
  useLayoutEffect(() => {
    const table = ref.current;
    const head = table?.tHead?.rows[0];
    if (!table || !head) return;
    const labels = Array.from(head.cells, (c) => (c.textContent ?? '').trim());
    for (const body of Array.from(table.tBodies))
      for (const row of Array.from(body.rows))
        Array.from(row.cells).forEach((cell, k) => {
          const label = labels[k] ?? '';
          if (cell.getAttribute('data-label') !== label) cell.setAttribute('data-label', label);
        });
  });
  return (
    <div class="table-wrap data-table">
      <table ref={ref}>
        <thead>
          <tr>
            {headers.map((h, k) => (
              <th key={k} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
