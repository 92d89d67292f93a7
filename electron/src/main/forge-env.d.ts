// Constants that Forge's Vite plugin defines in the main bundle (renderer name `main_window`):
// the dev server's URL under `electron-forge start` (undefined in a packaged build), and the renderer's name.
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;
