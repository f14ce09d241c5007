#include "archive/layout.h"

#include <gtest/gtest.h>

namespace shopstream::archive {
namespace {

TEST(Layout, NamesRoundTrip) {
  FileName n{3, 1000, 1999, 2, 3};
  EXPECT_EQ(FormatFileName(n, FileState::kFinal),
            "part-0003-000000001000-000000001999-2of3.parquet");
  EXPECT_EQ(FormatFileName(n, FileState::kPending),
            "_part-0003-000000001000-000000001999-2of3.pending");
  EXPECT_EQ(FormatFileName(n, FileState::kTemp), "_part-0003-000000001000-000000001999-2of3.tmp");
  for (FileState state : {FileState::kTemp, FileState::kPending, FileState::kFinal}) {
    auto parsed = ParseFileName(FormatFileName(n, state));
    ASSERT_TRUE(parsed) << FormatFileName(n, state);
    EXPECT_EQ(parsed->name, n);
    EXPECT_EQ(parsed->state, state);
  }
  // Wider than the padding still parses.
  FileName big{12345, 123456789012345, 123456789012399, 1, 1};
  EXPECT_EQ(ParseFileName(FormatFileName(big, FileState::kFinal))->name, big);
}

TEST(Layout, ForeignNamesAreNotOurs) {
  for (const char* name :
       {"", "part-0001-1-2-1of1", "part-0001-1-2-1of1.csv", "_SUCCESS",
        ".part-0001-1-2-1of1.parquet", "part-0001-2-1-1of1.parquet", "part-0001-1-2-0of1.parquet",
        "part-0001-1-2-2of1.parquet", "part-0001-1-2-1of0.parquet", "part-x-1-2-1of1.parquet",
        "part-0001-1-2.parquet", "part-0001--1-2-1of1.parquet", "part-0001-1-2-1of1-x.parquet",
        "_part-0001-1-2-1of1.parquet", "part-0001-1-2-1o1.parquet",
        "part-0001-99999999999999999999-2-1of1.parquet"}) {
    EXPECT_FALSE(ParseFileName(name)) << name;
  }
}

TEST(Layout, StreamMarker) {
  EXPECT_EQ(StreamMarker("ecommercetopic"), "_stream.ecommercetopic");
  EXPECT_EQ(StreamMarker("sqlite-log:3f/x y=1"), "_stream.sqlite-log_3f_x_y_1");
  EXPECT_FALSE(ParseFileName(StreamMarker("t")));
  EXPECT_FALSE(IsArchiveDir(StreamMarker("t")));
}

TEST(Layout, StartMarkers) {
  EXPECT_EQ(StartMarker({1, 1000}), "_start.part-0001-000000001000");
  EXPECT_EQ(ParseStartMarker("_start.part-0001-000000001000"), (StartMark{1, 1000}));
  EXPECT_EQ(ParseStartMarker(StartMarker({12345, 99999999999999})),
            (StartMark{12345, 99999999999999}));
  for (const char* name : {"_start.part-0001", "_start.part-x-1", "_start.part-1-", "_start.",
                           "_stream.t", "part-0001-000000001000", "_start.part-1--2"}) {
    EXPECT_FALSE(ParseStartMarker(name)) << name;
  }
  EXPECT_FALSE(IsArchiveDir(StartMarker({0, 0})));
  EXPECT_FALSE(ParseFileName(StartMarker({0, 0})));
  EXPECT_EQ(StartMarker({0, 0}).find('='), std::string::npos);  // never a Hive partition
}

TEST(Layout, ArchiveDirs) {
  EXPECT_EQ(DateDir("2019-11-08"), "event_date=2019-11-08");
  EXPECT_TRUE(IsArchiveDir("event_date=2019-11-08"));
  EXPECT_TRUE(IsArchiveDir("_dead_letters"));
  for (const char* name : {"event_date=2019-11-8", "event_date=", "event_date=2019-11-08x",
                           "event_date=2019_11_08", "date=2019-11-08", "_temporary", "other"}) {
    EXPECT_FALSE(IsArchiveDir(name)) << name;
  }
}

}  // namespace
}  // namespace shopstream::archive
