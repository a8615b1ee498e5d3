// /docs: the API reference rendered by Swagger UI from /openapi.json. Its assets are
// served from the swagger-ui-dist package, so the page works with no internet access.
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';
import { state } from './context.js';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Switchboard API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });\n`;

export function docsRouter(): Router {
  const require = createRequire(import.meta.url);
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const r = express.Router();
  r.get('/', (_req, res) => {
    state(res).route = '/docs';
    res.type('html').send(PAGE);
  });
  r.get('/init.js', (_req, res) => {
    state(res).route = '/docs/init.js';
    res.type('application/javascript').send(INIT);
  });
  r.use('/assets', (_req, res, next) => {
    state(res).route = '/docs/assets';
    next();
  }, express.static(assets, { index: false, maxAge: '1h' }));
  return r;
}
