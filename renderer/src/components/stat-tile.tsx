import type { ReactNode } from 'react';

/** One metric: a label, a big value and an optional detail line. */
export function StatTile({
  label,
  value,
  detail,
  tone,
}: {
  label: string;
  value: string;
  detail?: ReactNode;
  tone?: 'good' | 'warn' | 'bad' | 'accent';
}) {
  return (
    <div className={`tile${tone ? ` tile-${tone}` : ''}`} role="group" aria-label={label}>
      <div className="tile-label">{label}</div>
      <div className="tile-value" data-testid={`stat-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`}>
        {value}
      </div>
      {detail !== undefined && <div className="tile-detail">{detail}</div>}
    </div>
  );
}
