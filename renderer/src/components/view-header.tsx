/** The heading block every view starts with: a focusable title (focus moves here on view change), a line under it, and tools on the right. */
import type { ReactNode } from 'react';

export function ViewHeader(props: { id: string; title: string; sub: ReactNode; children?: ReactNode }) {
  return (
    <header className="view-head">
      <div>
        <h2 id={props.id} tabIndex={-1}>
          {props.title}
        </h2>
        <p className="view-sub">{props.sub}</p>
      </div>
      {props.children}
    </header>
  );
}
