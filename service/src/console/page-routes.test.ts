import { expect } from 'chai';
import { buildConsole } from '../../../dashboards/console/build';
import { useTestApp } from '../../test/support/test-app';

describe('the operations console page (GET /ops)', () => {
  const app = useTestApp();

  before(async function () {
    this.timeout(60_000);
    await buildConsole();
  });

  it('serves the page under a policy that allows no inline script or style, and no inline code in it', async () => {
    const page = await app.http().get('/ops').expect(200);
    expect(page.type).to.equal('text/html');
    const policy = page.headers['content-security-policy'] ?? '';
    expect(policy).to.include("script-src 'self'").and.include("style-src 'self'");
    expect(policy).to.not.include('unsafe-inline');
    // A document: helmet's page headers, not the API's bare set.
    expect(policy).to.include("frame-ancestors 'none'").and.include("default-src 'none'");
    expect(page.headers).to.include({
      'cross-origin-opener-policy': 'same-origin',
      'x-frame-options': 'DENY',
    });
    const html = page.text;
    expect(html).to.not.match(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).to.not.match(/<style|\sstyle=|\son\w+=/);
    expect(html).to.include('/ops/app.js').and.include('/ops/app.css');
  });

  it('serves the bundled script and styles (uPlot included)', async () => {
    const script = await app.http().get('/ops/app.js').expect(200);
    expect(script.type).to.equal('text/javascript');
    expect(script.text).to.include('/v1/ops/dashboards');
    const styles = await app.http().get('/ops/app.css').expect(200);
    expect(styles.text).to.include('.u-legend');
  });
});
