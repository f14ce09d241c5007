// The lower tail of the Poisson distribution, for a drop rule's `p=` test (docs/alerts.md): how
// likely a window would hold `count` or fewer events if they came at the baseline's mean rate.
#pragma once

namespace shopstream::alert {

// P(X <= count) for X ~ Poisson(mean); 1 for mean <= 0 (nothing expected: nothing is unlikely).
// `count` is rounded down (within 1e-6 of the next whole number: up); a negative count has
// probability 0.
double PoissonAtMost(double count, double mean);

}  // namespace shopstream::alert
