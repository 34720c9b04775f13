// The one way the admin browser scripts start Chromium: a headless persistent context in English and UTC, 1400 px
// wide unless the script asks otherwise, and (with opts.devSource) the page's static files served from a source
// directory, to work on the page without rebuilding the jar.
import path from 'node:path';
import fs from 'node:fs';

export async function openAdminBrowser(chromium, opts, contextOptions = {}) {
  fs.mkdirSync(opts.screenshots, { recursive: true });
  const context = await chromium.launchPersistentContext(opts.userDataDir, {
    executablePath: opts.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1400, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    ...contextOptions,
  });
  const page = context.pages()[0] || await context.newPage();
  if (opts.devSource) {
    await page.route(/\/admin\/(?!api\/)/, async (route) => {
      const file = path.join(opts.devSource, new URL(route.request().url()).pathname.replace(/^\/admin\/?/, '') || 'index.html');
      if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) return route.continue();
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
      return route.fulfill({ status: 200, body: fs.readFileSync(file), contentType: type });
    });
  }
  return { context, page };
}
