#include "event/session_funnel.h"

#include <gtest/gtest.h>

namespace shopstream {
namespace {

CleanedEvent Row(const std::string& time, const std::string& type, uint64_t session,
                 int64_t product) {
  CleanedEvent r;
  r.event_time = time;
  r.event_type = type;
  r.session_hash = session;
  r.has_session = true;
  r.product_id = product;
  return r;
}

struct Stream {
  FunnelState state;
  FunnelDelta delta;
  void Add(const std::string& time, const std::string& type, uint64_t session, int64_t product) {
    state.Add(Row(time, type, session, product), FunnelSeconds(time), &delta);
  }
  FunnelCounts Total(int64_t window) const {
    FunnelCounts sum;
    for (const auto& [key, c] : delta.counts) {
      if (key.second != window) continue;
      sum.viewed += c.viewed, sum.carted += c.carted, sum.bought += c.bought;
    }
    return sum;
  }
};

TEST(SessionFunnel, StepsOfOneProductWithinEachWindow) {
  Stream r;
  r.Add("2019-11-01 10:00:00", "view", 1, 7);
  r.Add("2019-11-01 10:10:00", "cart", 1, 7);      // 10 min after the view
  r.Add("2019-11-01 10:20:00", "purchase", 1, 7);  // 20 min after it
  EXPECT_EQ(r.Total(5).viewed, 1);
  EXPECT_EQ(r.Total(5).carted, 0);
  EXPECT_EQ(r.Total(30).carted, 1);
  EXPECT_EQ(r.Total(30).bought, 1);
  EXPECT_EQ(r.Total(60).bought, 1);
  EXPECT_EQ((r.delta.delays.at({"2019-11-01 10", 30, 1200})), 1);
}

TEST(SessionFunnel, AnotherProductDoesNotCount) {
  Stream r;
  r.Add("2019-11-01 10:00:00", "view", 1, 7);
  r.Add("2019-11-01 10:01:00", "cart", 1, 8);
  r.Add("2019-11-01 10:02:00", "purchase", 1, 8);
  EXPECT_EQ(r.Total(60).carted, 0);
  EXPECT_EQ(r.Total(60).bought, 0);
}

TEST(SessionFunnel, ALaterViewOpensALaterDeadline) {
  Stream r;
  r.Add("2019-11-01 10:00:00", "view", 1, 7);
  r.Add("2019-11-01 10:20:00", "view", 1, 7);
  r.Add("2019-11-01 10:22:00", "cart", 1, 7);
  r.Add("2019-11-01 10:24:00", "purchase", 1, 7);
  EXPECT_EQ(r.Total(5).bought, 1);
  // From the first view of the product: 24 minutes.
  EXPECT_EQ((r.delta.delays.at({"2019-11-01 10", 5, 1200})), 1);
}

TEST(SessionFunnel, EachSessionCountsOncePerStep) {
  Stream r;
  for (const char* t : {"2019-11-01 10:00:00", "2019-11-01 10:01:00"}) {
    r.Add(t, "view", 1, 7);
    r.Add(t, "cart", 1, 7);
    r.Add(t, "purchase", 1, 7);
  }
  EXPECT_EQ(r.Total(30).viewed, 1);
  EXPECT_EQ(r.Total(30).carted, 1);
  EXPECT_EQ(r.Total(30).bought, 1);
}

TEST(SessionFunnel, OutOfOrderAndLateEventsAreNoSteps) {
  Stream r;
  r.Add("2019-11-01 10:05:00", "view", 1, 7);
  r.Add("2019-11-01 10:04:00", "cart", 1, 7);  // earlier than the session's newest
  EXPECT_EQ(r.Total(30).carted, 0);
  r.Add("2019-11-01 12:00:00", "view", 2, 1);  // the stream moves on
  r.Add("2019-11-01 10:06:00", "cart", 1, 7);  // more than an hour behind it: late
  EXPECT_EQ(r.Total(30).carted, 0);
}

TEST(SessionFunnel, DelayBuckets) {
  EXPECT_EQ(FunnelDelayBucket(0), 0);
  EXPECT_EQ(FunnelDelayBucket(59), 0);
  EXPECT_EQ(FunnelDelayBucket(60), 60);
  EXPECT_EQ(FunnelDelayBucket(299), 120);
  EXPECT_EQ(FunnelDelayBucket(100000), 3600);
}

}  // namespace
}  // namespace shopstream
