import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { listenRefusal, startEnvironment } from './config/start-check.js';

async function bootstrap(): Promise<void> {
  // Before the app (and its module graph) is even loaded: a bad or exposed configuration is
  // refused in well under a second, not after a full boot.
  let refusal: string | null;
  try {
    refusal = listenRefusal(startEnvironment());
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  if (refusal) {
    process.stderr.write(refusal);
    process.exit(1);
  }
  const [{ NestFactory }, { AppModule }, { configureApp }, { appConfig }] =
    await Promise.all([
      import('@nestjs/core'),
      import('./app.module.js'),
      import('./app.setup.js'),
      import('./config/index.js'),
    ]);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
  });
  await configureApp(app);
  const { port, host } = app.get<ReturnType<typeof appConfig>>(appConfig.KEY);
  if (host) await app.listen(port, host);
  else await app.listen(port);
}

await bootstrap();
