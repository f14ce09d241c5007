#include "alert/poisson.h"

#include <cmath>

namespace shopstream::alert {

double PoissonAtMost(double count, double mean) {
  if (count < 0) return 0;
  if (!(mean > 0)) return 1;
  // A window's count is a difference of running sums: 22 may arrive as 21.999999999.
  const double k = std::floor(count + 1e-6);
  // Sums the terms from k down: P(X = i - 1) = P(X = i) * i / mean. Below the mean the terms
  // shrink at once, so a drop's test sums a few dozen of them, whatever the count.
  double term = std::exp(k * std::log(mean) - mean - std::lgamma(k + 1));
  double sum = 0;
  for (double i = k; i >= 0 && term > 0; --i) {
    sum += term;
    if (term < sum * 1e-17 && i < mean) break;
    term *= i / mean;
  }
  return std::fmin(sum, 1.0);
}

}  // namespace shopstream::alert
