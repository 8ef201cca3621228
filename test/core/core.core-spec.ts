/**
 * The money and traffic core specs, in one file on purpose: jest loads a file's module graph
 * (Nest, TypeORM, the services) once per file, and the mutation run re-runs the covering file
 * once per mutant, so one file instead of four cuts most of a mutant's cost. Each *.cases.ts
 * holds one service's cases and builds its own core (createCore) on a fresh database.
 */
import './ledger.cases.js';
import './shop-purchase.cases.js';
import './payment-credit.cases.js';
import './node-traffic.cases.js';
