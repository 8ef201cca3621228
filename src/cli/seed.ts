import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import { DemoSeedService } from './seeds/demo-seed.service.js';
import { loadCliEnvironment, runCli } from './cli.util.js';

/** `npm run seed`: creates the demo admin, node and plans on any migrated database, idempotently. */
runCli(async () => {
  loadCliEnvironment();
  const app = await NestFactory.createApplicationContext(AppModule, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  try {
    const seeder = app.get(DemoSeedService);
    seeder.print(await seeder.seed());
  } finally {
    await app.close();
  }
});
