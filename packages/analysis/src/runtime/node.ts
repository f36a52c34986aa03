/** onnxruntime-node (native CPU). */
import * as ort from 'onnxruntime-node';
import type { OrtModule } from './session.js';

export const nodeOrt: OrtModule = ort as unknown as OrtModule;
