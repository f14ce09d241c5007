#include "source/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "source/byte_sink.h"
#include "source/byte_source.h"
#include "source/generator.h"
#include "source/test_files.h"

namespace shopstream::source {
namespace {

std::string ReadDecoded(const std::string& path) {
  auto source = OpenByteSource(path);
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

std::string GenerateFile(const testing::TempDir& dir, uint64_t rows) {
  std::string path = dir.File("input.csv");
  auto sink = OpenByteSink(path);
  EXPECT_TRUE(sink.ok());
  EXPECT_TRUE(WriteGeneratedCsv({.rows = rows, .seed = 99}, **sink).ok());
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
  testing::TempDir dir;
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
  testing::TempDir dir;
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
  testing::TempDir dir;
  std::string original = ReadDecoded(testing::SampleZipPath());
  ASSERT_EQ(original.size(), 1347915u);
  for (const char* name : {"copy.csv", "copy.csv.gz", "copy.zip"}) {
    SampleOptions options = Options(testing::SampleZipPath(), dir.File(name), "event_type");
    options.fraction = 1.0;
    auto stats = RunSample(options);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(stats->rows_kept, 10034u);
    EXPECT_EQ(ReadDecoded(options.output), original) << name;
  }
}

TEST(SamplerTest, UnknownColumnAndMissingInputAreClearErrors) {
  testing::TempDir dir;
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
}  // namespace shopstream::source
