import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import { LedgerService } from '../modules/ledger/ledger.service.js';
import { loadCliEnvironment, runCli } from './cli.util.js';

/** `npm run ledger:check`: exits 1 and lists the users whose ledger disagrees with their balance. */
runCli(async () => {
  loadCliEnvironment();
  const app = await NestFactory.createApplicationContext(AppModule, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  try {
    const problems = await app.get(LedgerService).findProblems();
    if (problems.length === 0) {
      console.log(
        'ledger: consistent — every balance matches its user_money_log',
      );
      return 0;
    }
    console.error(`ledger: ${problems.length} problem(s)`);
    for (const p of problems)
      console.error(`  user ${p.user_id}: ${p.problem}`);
    return 1;
  } finally {
    await app.close();
  }
});
