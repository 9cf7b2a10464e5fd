import type { ServiceModule } from '../contract.js';
import { dtsModule } from './dts.js';
import { eventBridgeService } from './eventbridge.js';
import { eventBusService } from './eventbridge-buses.js';
import { fcService } from './fc.js';
import { kmsService } from './kms.js';
import { mnsService } from './mns.js';
import { ramModule } from './ram.js';
import { stsModule } from './sts.js';
import { tablestoreService } from './tablestore/service.js';

/**
 * Every emulated service, in routing order. Each module's `accepts` is specific to its wire protocol,
 * so the order only matters for speed. Add a module here when it is ready.
 */
export const serviceModules: readonly ServiceModule[] = [
  ramModule,
  stsModule,
  eventBridgeService,
  eventBusService,
  fcService,
  mnsService,
  dtsModule,
  kmsService,
  tablestoreService,
];
