/**
 * The game Library behind the contract: the last detection pass, the servers the user added by hand (kept
 * in the settings), and the extra entries of the shell (the dashboard's demo game).
 */
import {
  IpcError,
  type AddServerRequest,
  type CatalogEntryView,
  type GameView,
  type GamesView,
  type LightspeedNotifier,
  type RemoveServerRequest,
} from '@lightspeed/shared';

import { buildGamesView, catalogView, manualGameId } from './game-library.js';
import type { CatalogGame, DetectionResult, GamesProvider } from './ports.js';
import type { SettingsService } from './settings-service.js';

export interface LibraryOptions {
  games: GamesProvider;
  settings: SettingsService;
  notify: LightspeedNotifier;
  /** Entries shown first (the dashboard's demo game). */
  extraGames?: GameView[];
  now: () => number;
}

export class Library {
  private detection: DetectionResult | null = null;
  private scannedAtMs: number | null = null;

  constructor(private readonly o: LibraryOptions) {
    o.settings.onChange((next, prev) => {
      if (prev.gameServers !== next.gameServers) o.notify.games.changed(this.view());
    });
  }

  get catalog(): readonly CatalogGame[] {
    return this.o.games.catalog;
  }

  catalogView(): CatalogEntryView[] {
    return catalogView(this.o.games.catalog);
  }

  view(): GamesView {
    return buildGamesView({
      catalog: this.o.games.catalog,
      detection: this.detection,
      gameServers: this.o.settings.get().gameServers,
      extraGames: this.o.extraGames ?? [],
      scannedAtMs: this.scannedAtMs,
    });
  }

  /** Detects installed and running games again and publishes the Library. */
  async refresh(): Promise<GamesView> {
    this.detection = await this.o.games.detect();
    this.scannedAtMs = this.o.now();
    const view = this.view();
    this.o.notify.games.changed(view);
    return view;
  }

  /** Adds a server to a known game, or to a game named by hand; saved in the settings. */
  async addServer(req: AddServerRequest): Promise<GameView> {
    let gameId: string;
    let name: string;
    if (req.gameId !== undefined) {
      const known =
        this.view().games.find((g) => g.id === req.gameId) ??
        this.o.games.catalog.find((c) => c.id === req.gameId);
      if (!known) throw new IpcError('not-found', `no game '${req.gameId}' in the Library or the catalog`);
      gameId = known.id;
      name = known.name;
    } else {
      name = req.name ?? req.server;
      gameId = manualGameId(name);
    }
    const settings = this.o.settings.get();
    const exists = settings.gameServers.some((s) => s.gameId === gameId && s.server === req.server);
    if (!exists)
      await this.o.settings.replace({
        ...settings,
        gameServers: [...settings.gameServers, { gameId, name, server: req.server }],
      });
    const game = this.view().games.find((g) => g.id === gameId);
    if (!game) throw new IpcError('internal', `game '${gameId}' vanished`);
    return game;
  }

  async removeServer(req: RemoveServerRequest): Promise<GamesView> {
    const settings = this.o.settings.get();
    const left = settings.gameServers.filter((s) => !(s.gameId === req.gameId && s.server === req.server));
    if (left.length === settings.gameServers.length)
      throw new IpcError('not-found', `no server ${req.server} for '${req.gameId}'`);
    await this.o.settings.replace({ ...settings, gameServers: left });
    return this.view();
  }
}
