#include "sample/sampler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "csv/byte_sink.h"
#include "csv/byte_source.h"
#include "csv/test_files.h"
#include "generate/generator.h"

namespace shopstream::sample {
namespace {

std::string ReadDecoded(const std::string& path) {
  auto source = csv::OpenByteSource(path);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    Result<size_t> n = (*source)->Read(buffer, sizeof buffer);
    EXPECT_TRUE(n.ok());
    if (!n.ok() || *n == 0) return out;
    out.append(buffer, *n);
  }
}

std::string GenerateFile(const csv::testing::TempDir& dir, uint64_t rows) {
  std::string path = dir.File("input.csv");
  auto sink = csv::OpenByteSink(path);
  EXPECT_TRUE(sink.ok());
  EXPECT_TRUE(generate::WriteGeneratedCsv({.rows = rows, .seed = 99}, **sink).ok());
  return path;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl + 1));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return lines;
}

SampleOptions Options(std::string input, std::string output, std::string column) {
  SampleOptions options;
  options.input = std::move(input);
  options.output = std::move(output);
  options.column = std::move(column);
  return options;
}

TEST(ParseFractionsTest, ReadsStrataAndRejectsBadValues) {
  auto f = ParseFractions("view=0.01,cart=0.5,purchase=1");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->size(), 3u);
  EXPECT_EQ(f->at("view"), 0.01);
  EXPECT_EQ(f->at("purchase"), 1.0);
  EXPECT_EQ(ParseFractions("a=b=0.5")->at("a=b"), 0.5);
  EXPECT_FALSE(ParseFractions("view").ok());
  EXPECT_FALSE(ParseFractions("view=1.5").ok());
  EXPECT_FALSE(ParseFractions("view=-0.1").ok());
  EXPECT_FALSE(ParseFractions("view=x").ok());
  EXPECT_FALSE(ParseFractions("").ok());
}

TEST(SamplerTest, KeepsEachStratumsShareWithinFourStandardDeviations) {
  csv::testing::TempDir dir;
  std::string input = GenerateFile(dir, 1000000);
  SampleOptions options = Options(input, dir.File("out.csv"), "event_type");
  options.fractions = {{"view", 0.01}, {"cart", 0.3}, {"purchase", 0.9}};
  options.seed = 5;
  auto stats = RunSample(options);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows_read, 1000000u);
  for (const auto& [stratum, p] : options.fractions) {
    double n = stats->read_by_stratum[stratum];
    double kept = stats->kept_by_stratum[stratum];
    double sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(kept, n * p, 4 * sd) << stratum;
  }
  // The output is the header and a subsequence of the input's lines, byte for byte.
  std::string in = ReadDecoded(input), out = ReadDecoded(options.output);
  auto in_lines = Lines(in), out_lines = Lines(out);
  ASSERT_EQ(out_lines.size(), stats->rows_kept + 1);
  EXPECT_EQ(out_lines[0], in_lines[0]);
  size_t j = 1;
  for (size_t i = 1; i < in_lines.size() && j < out_lines.size(); ++i) {
    if (in_lines[i] == out_lines[j]) ++j;
  }
  EXPECT_EQ(j, out_lines.size());
}

TEST(SamplerTest, DropsUnlistedStrataAndIsDeterministicBySeed) {
  csv::testing::TempDir dir;
  std::string input = GenerateFile(dir, 20000);
  SampleOptions options = Options(input, dir.File("a.csv"), "event_type");
  options.fractions = {{"cart", 0.5}};
  auto a = RunSample(options);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->kept_by_stratum["view"], 0u);
  EXPECT_EQ(a->kept_by_stratum["purchase"], 0u);
  EXPECT_GT(a->kept_by_stratum["cart"], 0u);
  options.output = dir.File("b.csv");
  ASSERT_TRUE(RunSample(options).ok());
  EXPECT_EQ(ReadDecoded(dir.File("a.csv")), ReadDecoded(dir.File("b.csv")));
  options.output = dir.File("c.csv");
  options.seed = 2;
  ASSERT_TRUE(RunSample(options).ok());
  EXPECT_NE(ReadDecoded(dir.File("a.csv")), ReadDecoded(dir.File("c.csv")));
}

TEST(SamplerTest, FractionOneReproducesTheTenThousandRowSampleByteForByte) {
  csv::testing::TempDir dir;
  std::string original = ReadDecoded(csv::testing::SampleZipPath());
  ASSERT_EQ(original.size(), 1347915u);
  for (const char* name : {"copy.csv", "copy.csv.gz", "copy.zip"}) {
    SampleOptions options = Options(csv::testing::SampleZipPath(), dir.File(name), "event_type");
    options.fraction = 1.0;
    auto stats = RunSample(options);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(stats->rows_kept, 10034u);
    EXPECT_EQ(ReadDecoded(options.output), original) << name;
  }
}

// A generated CSV with every shape the reader knows spliced in: quoted fields holding commas,
// `""` and line ends, CRLF lines, blank lines, rows with too few or too many fields, a stray
// quote inside an unquoted field, and no line end after the last record.
std::string HostileCsv(const csv::testing::TempDir& dir) {
  std::string text = ReadDecoded(GenerateFile(dir, 3000));
  auto lines = Lines(text);
  std::string out(lines[0]);
  for (size_t i = 1; i < lines.size(); ++i) {
    out += lines[i];
    switch (i % 97) {
      case 3:
        out +=
            "2019-11-01 00:00:01 UTC,view,1,2,\"a,b\nc\"\"d\",\"brand\nwith\r\nbreaks\",1.5,3,s\n";
        break;
      case 11:
        out += "2019-11-01 00:00:02 UTC,cart,1,2,x,y,2.5,3,s\r\n";
        break;
      case 19:
        out += "\n\r\n";
        break;
      case 29:
        out += "2019-11-01 00:00:03 UTC,view,1,2\n";
        break;
      case 37:
        out += "a,b,c,d,e,f,g,h,i,j,k\n";
        break;
      case 41:
        out += "2019-11-01 00:00:04 UTC,purchase,1,2,x,br\"and,2.5,3,s\n";
        break;
      case 53:
        out += "2019-11-01 00:00:05 UTC,view,1,2,\"x\"junk,y,2.5,3,s\n";
        break;
      default:
        break;
    }
  }
  out += "2019-11-01 00:00:06 UTC,cart,1,2,x,last,2.5,3,s";
  return out;
}

void WriteText(const std::string& path, std::string_view text) {
  auto sink = csv::OpenByteSink(path);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write(text).ok());
  ASSERT_TRUE((*sink)->Close().ok());
}

TEST(SamplerTest, SlicesOnAnyThreadCountKeepWhatTheStreamingPathKeeps) {
  csv::testing::TempDir dir;
  std::string csv = HostileCsv(dir);
  WriteText(dir.File("hostile.csv"), csv);
  WriteText(dir.File("hostile.csv.gz"), csv);
  for (const char* column : {"event_type", "brand"}) {  // few strata, and hundreds
    SampleOptions streamed = Options(dir.File("hostile.csv.gz"), dir.File("ref.csv"), column);
    streamed.fraction = 0.5;
    streamed.seed = 11;
    auto reference = RunSample(streamed);
    ASSERT_TRUE(reference.ok()) << reference.status().ToString();
    EXPECT_EQ(reference->lines_skipped, 3u * 31);  // short, long and junk rows, 31 times each
    EXPECT_GT(reference->rows_kept, 1000u);
    std::string expected = ReadDecoded(dir.File("ref.csv"));
    for (uint64_t slice : {7u, 64u, 1000u, 65536u}) {
      for (unsigned threads : {1u, 3u}) {
        SampleOptions sliced = streamed;
        sliced.input = dir.File("hostile.csv");
        sliced.output = dir.File("sliced.csv");
        sliced.slice_min_file_bytes = 0;
        sliced.slice_bytes = slice;
        sliced.threads = threads;
        auto stats = RunSample(sliced);
        ASSERT_TRUE(stats.ok()) << stats.status().ToString();
        std::string where = std::string(column) + ", slices of " + std::to_string(slice) +
                            ", threads " + std::to_string(threads);
        EXPECT_EQ(ReadDecoded(sliced.output), expected) << where;
        EXPECT_EQ(stats->rows_read, reference->rows_read) << where;
        EXPECT_EQ(stats->rows_kept, reference->rows_kept) << where;
        EXPECT_EQ(stats->lines_skipped, reference->lines_skipped) << where;
        EXPECT_EQ(stats->kept_by_stratum, reference->kept_by_stratum) << where;
      }
    }
  }
}

// A stop (Ctrl-C in `shopstream sample`) ends the sampling at the next batch or slice: the
// output holds the header and whole kept records, and the stats say it stopped.
TEST(SamplerTest, StopsAtTheNextBatchOrSliceWithWholeRecords) {
  csv::testing::TempDir dir;
  const std::string input = GenerateFile(dir, 30000);  // about 4 MB: several 1 MB batches
  std::atomic<bool> stop{true};
  for (bool sliced : {false, true}) {
    SampleOptions options = Options(input, dir.File("kept.csv"), "event_type");
    options.fraction = 1;
    options.stop = &stop;
    options.slice_min_file_bytes = sliced ? 0 : UINT64_MAX;
    auto stats = RunSample(options);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_TRUE(stats->stopped);
    EXPECT_LT(stats->rows_read, 30000u) << "sliced " << sliced;
    std::string kept = ReadDecoded(options.output);
    std::vector<std::string_view> lines = Lines(kept);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], Lines(ReadDecoded(input))[0]);
    EXPECT_EQ(lines.size(), stats->rows_kept + 1);
    EXPECT_TRUE(kept.ends_with('\n'));
  }
}

TEST(SamplerTest, UnknownColumnAndMissingInputAreClearErrors) {
  csv::testing::TempDir dir;
  std::string input = GenerateFile(dir, 10);
  SampleOptions options = Options(input, dir.File("o.csv"), "colour");
  options.fraction = 0.5;
  auto bad = RunSample(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("no column 'colour'"), std::string::npos);
  options = Options(dir.File("none.csv"), dir.File("o.csv"), "brand");
  options.fraction = 1;
  auto missing = RunSample(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  options = Options(input, input, "brand");
  options.fraction = 1;
  auto same = RunSample(options);
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.status().message().find("would overwrite the input"), std::string::npos);
  EXPECT_EQ(ReadDecoded(input).size(), std::filesystem::file_size(input));
  options = Options(input, "/nonexistent/o.csv", "brand");
  options.fraction = 1;
  auto unwritable = RunSample(options);
  ASSERT_FALSE(unwritable.ok());
  EXPECT_NE(unwritable.status().message().find("/nonexistent/o.csv"), std::string::npos);
}

}  // namespace
}  // namespace shopstream::sample
