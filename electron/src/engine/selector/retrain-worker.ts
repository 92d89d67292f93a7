/** The worker thread's entry for `retrainOffThread`: retrains from `workerData` and posts the model file. */
import { parentPort, workerData } from 'node:worker_threads';

import { retrainModel, type RetrainInput } from './retrain.js';

parentPort?.postMessage(retrainModel(workerData as RetrainInput).toFile());
