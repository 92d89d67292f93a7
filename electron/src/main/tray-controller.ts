/**
 * The tray icon: its picture follows route health (idle / good / degraded / bad), its tooltip the live
 * route, its menu the actions. Everything it shows comes from tray-model.ts; this class only talks to
 * Electron and avoids needless work (the icon and menu change rarely, the tooltip every second).
 */
import path from 'node:path';

import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';

import type { HealthThresholds, RouteHealth } from './route-health.js';
import { trayIconFile, trayModel, type TrayAction, type TrayMenuItem, type TrayView } from './tray-model.js';

export type TrayActions = Record<TrayAction, () => void>;

export class TrayController {
  private readonly tray: Tray;
  private readonly icons = new Map<RouteHealth, NativeImage>();
  private health: RouteHealth | null = null;
  private tooltip = '';
  private menuKey = '';

  constructor(
    /** Folder that holds `tray/` (resources/ in development, process.resourcesPath when packaged). */
    private readonly resourcesDir: string,
    private readonly actions: TrayActions,
    private readonly thresholds?: HealthThresholds,
  ) {
    this.tray = new Tray(this.icon('idle'));
    // Windows and Linux users expect a left click on the tray icon to bring the window back.
    this.tray.on('click', () => this.actions.show());
  }

  /** The current icon level (for diagnostics). */
  get currentHealth(): RouteHealth | null {
    return this.health;
  }

  /** Shows `view`: icon, tooltip and menu, each only when it changed. */
  update(view: TrayView): void {
    const model = trayModel(view, this.thresholds);
    if (model.health !== this.health) {
      this.health = model.health;
      this.tray.setImage(this.icon(model.health));
    }
    if (model.tooltip !== this.tooltip) {
      this.tooltip = model.tooltip;
      this.tray.setToolTip(model.tooltip);
    }
    const menuKey = JSON.stringify(model.menu);
    if (menuKey !== this.menuKey) {
      this.menuKey = menuKey;
      this.tray.setContextMenu(Menu.buildFromTemplate(model.menu.map((item) => this.menuItem(item))));
    }
  }

  destroy(): void {
    this.tray.destroy();
  }

  private menuItem(item: TrayMenuItem): MenuItemConstructorOptions {
    if (item.type === 'separator') return { type: 'separator' };
    return { label: item.label, enabled: item.enabled, click: () => this.actions[item.action]() };
  }

  private icon(health: RouteHealth): NativeImage {
    let image = this.icons.get(health);
    if (image === undefined) {
      // nativeImage picks up the `@2x` sibling by itself on high-DPI displays.
      image = nativeImage.createFromPath(
        path.join(this.resourcesDir, trayIconFile(health, process.platform)),
      );
      this.icons.set(health, image);
    }
    return image;
  }
}
