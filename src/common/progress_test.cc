#include "common/progress.h"

#include <gtest/gtest.h>

namespace shopstream {
namespace {

TEST(ProgressTest, FormatsCountsWithBarPercentRateAndEta) {
  EXPECT_EQ(FormatProgressLine("generate", 450000, 1000000, 0.5, ProgressUnit::kCount, "rows"),
            "generate [##########..............]  45.0%  450.0k/1.00M rows  900.0k rows/s  "
            "ETA 0:00:01");
}

TEST(ProgressTest, FormatsBytesAndTheFinishedState) {
  EXPECT_EQ(FormatProgressLine("read", 2500000, 2500000, 2.0, ProgressUnit::kBytes, ""),
            "read [########################] 100.0%  2.50 MB/2.50 MB  1.25 MB/s  in 0:00:02");
}

TEST(ProgressTest, UnknownTotalShowsOnlyDoneAndRate) {
  EXPECT_EQ(FormatProgressLine("sample", 12, 0, 4.0, ProgressUnit::kCount, "rows"),
            "sample  12 rows  3 rows/s");
}

TEST(ProgressTest, DisabledBarPrintsNothing) {
  ::testing::internal::CaptureStderr();
  {
    ProgressBar bar("quiet", 10, ProgressUnit::kCount, "rows", false);
    bar.Update(5);
    bar.Finish();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace shopstream
