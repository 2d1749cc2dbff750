// The samples `getMetrics` resolves to, from the series `GET /sandbox/{id}/telemetry/metrics`
// answers: one sample per time, oldest first. The JS face's copy of
// `daytona_models::MetricsResponse::samples` (the Rust face's), kept here so the package
// decodes no model in wasm.
const FIELDS = {
  'daytona.sandbox.cpu.utilization': 'cpuUsedPct',
  'daytona.sandbox.cpu.limit': 'cpuCount',
  'daytona.sandbox.memory.usage': 'memUsed',
  'daytona.sandbox.memory.limit': 'memTotal',
  'daytona.sandbox.memory.cache': 'memCache',
  'daytona.sandbox.filesystem.usage': 'diskUsed',
  'daytona.sandbox.filesystem.total': 'diskTotal',
};

export async function metricSamples(answer) {
  const at = new Map();
  for (const { metricName, dataPoints } of (await answer).series ?? []) {
    const field = FIELDS[metricName];
    if (!field) continue;
    for (const { timestamp, value } of dataPoints ?? []) {
      let sample = at.get(timestamp);
      if (!sample) {
        sample = { cpuCount: 0, cpuUsedPct: 0, memTotal: 0, memUsed: 0, memCache: 0, diskTotal: 0, diskUsed: 0, timestamp };
        at.set(timestamp, sample);
      }
      sample[field] = value;
    }
  }
  return [...at.keys()].sort().map((t) => at.get(t));
}
