/** A game's tile art: its initials on a gradient picked from its id, so every game looks distinct. */
export function GameArt({ id, name }: { id: string; name: string }) {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  const initials = name
    .split(/[\s:-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  return (
    <div className="game-art" aria-hidden="true" data-hue={hue} style={{ ['--hue' as string]: String(hue) }}>
      <span>{initials}</span>
    </div>
  );
}
