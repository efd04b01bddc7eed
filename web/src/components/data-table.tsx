/**
 * A table of rows with column headers, in the scrolling wrapper every table of the app uses. Must never sort, page
 * or fetch: the page gives the rows.
 */
import type { ComponentChildren } from 'preact';

export function DataTable({ headers, children }: { headers: ComponentChildren[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table>
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
