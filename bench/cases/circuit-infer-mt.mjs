// circuit-infer with pmix on every core (rows split over worker threads sharing memory;
// PMIX_THREADS overrides): the same data, circuit and peer.
import one from './circuit-infer.mjs';

export default {
  ...one,
  name: 'circuit-infer-mt',
  title: `${one.title}, pmix on every core`,
  params: (quick) => ({ ...one.params(quick), threads: 'all' }),
};
