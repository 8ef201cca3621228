import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { exposedDefaultSecrets } from './config/embedded-secrets.js';
import { appConfig, authConfig } from './config/index.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
  });
  await configureApp(app);
  const { port, host } = app.get<ReturnType<typeof appConfig>>(appConfig.KEY);
  const problems = exposedDefaultSecrets(
    host,
    app.get<ReturnType<typeof authConfig>>(authConfig.KEY),
  );
  if (problems.length > 0) {
    process.stderr.write(
      `Refusing to start: ${problems.join('; ')}.\n` +
        'Set JWT_SECRET and MU_KEY to secrets of your own (e.g. openssl rand -hex 32), ' +
        'or listen on loopback only (HOST=127.0.0.1).\n',
    );
    await app.close();
    process.exit(1);
  }
  if (host) await app.listen(port, host);
  else await app.listen(port);
}

await bootstrap();
