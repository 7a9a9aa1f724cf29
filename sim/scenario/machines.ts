/** Normalization of `cluster.hardware` and `cluster.machines`: presets, cores and NICs per broker. */
import { BANDWIDTH_EXPECTED, parseBandwidth } from '../config/units.js';
import { DEFAULT_HARDWARE, HARDWARE_PRESETS, type HardwarePreset } from './hardware.js';
import type { Path, Problems } from './problems.js';
import type { RawMachine } from './schema.js';
import { type Env, brokerIdOf, checkBroker } from './targets.js';
import { positive } from './fields.js';
import type { DiskSpec, MachineSpec } from './types.js';

const PRESETS_EXPECTED = `one of ${Object.keys(HARDWARE_PRESETS).join(', ')}`;

function presetOf(path: Path, name: string, p: Problems): HardwarePreset {
  const preset = Object.hasOwn(HARDWARE_PRESETS, name) ? HARDWARE_PRESETS[name] : undefined;
  if (preset !== undefined) return preset;
  p.report(path, { problem: 'unknown hardware preset', got: name, expected: PRESETS_EXPECTED });
  return HARDWARE_PRESETS[DEFAULT_HARDWARE];
}

/** A machine from its raw form; `base` supplies what it does not say. */
export function normMachine(path: Path, raw: RawMachine | undefined, base: MachineSpec, p: Problems): MachineSpec & { disk?: HardwarePreset['disk'] } {
  if (raw === undefined) return base;
  const o = typeof raw === 'string' ? { preset: raw } : raw;
  const named = o.preset === undefined ? undefined : presetOf(typeof raw === 'string' ? path : [...path, 'preset'], o.preset, p);
  const nic = positive([...path, 'bandwidth'], p.unit([...path, 'bandwidth'], o.bandwidth, parseBandwidth), o.bandwidth, BANDWIDTH_EXPECTED, p);
  return {
    preset: o.preset ?? base.preset,
    cores: o.cores ?? named?.cores ?? base.cores,
    nicBytesPerSec: nic ?? named?.nicBytesPerSec ?? base.nicBytesPerSec,
    disk: named?.disk,
  };
}

/** The cluster's machine (`cluster.hardware`, else the default preset) and its disk. */
export function normHardware(raw: RawMachine | undefined, p: Problems): { machine: MachineSpec; disk: Partial<DiskSpec> } {
  const d = HARDWARE_PRESETS[DEFAULT_HARDWARE];
  const m = normMachine(['cluster', 'hardware'], raw, { preset: DEFAULT_HARDWARE, cores: d.cores, nicBytesPerSec: d.nicBytesPerSec }, p);
  const { disk, ...machine } = m;
  return { machine, disk: disk ?? {} };
}

/** Per-broker machines (`cluster.machines`), by broker id, with the disk their preset gives. */
export function normMachines(raw: Record<string, RawMachine> | undefined, base: MachineSpec, env: Env, p: Problems): Record<string, MachineSpec & { disk?: HardwarePreset['disk'] }> {
  const out: Record<string, MachineSpec & { disk?: HardwarePreset['disk'] }> = {};
  for (const [key, m] of Object.entries(raw ?? {})) {
    const path: Path = ['cluster', 'machines', key];
    const id = brokerIdOf(key);
    if (id === undefined) {
      p.report(path, { problem: 'not a broker', got: key, expected: 'a broker id such as "2", b2 or "broker 2"' });
      continue;
    }
    if (!checkBroker(path, id, key, env, p)) continue;
    if (out[String(id)]) p.report(path, { problem: `broker ${id} has two machines`, got: key });
    out[String(id)] = normMachine(path, m, base, p);
  }
  return out;
}
