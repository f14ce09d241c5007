#include "csv/csv_record_reader.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace shopstream::csv {
namespace {

struct Row {
  std::vector<std::string> fields;
  std::string raw;
  uint64_t line;
};

// Reads everything; malformed records become a Row whose only field is the error message.
std::vector<Row> ReadAll(CsvRecordReader& reader) {
  std::vector<Row> rows;
  CsvRecord record;
  for (;;) {
    Result<bool> got = reader.Next(&record);
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), StatusCode::kCorruption) << got.status().ToString();
      if (got.status().code() != StatusCode::kCorruption) break;
      rows.push_back({{"ERROR " + got.status().message()}, "", 0});
      continue;
    }
    if (!*got) break;
    rows.push_back(
        {{record.fields.begin(), record.fields.end()}, std::string(record.raw), record.line});
  }
  return rows;
}

std::unique_ptr<CsvRecordReader> FromText(const std::string& text,
                                          const CsvReaderOptions& options = {}) {
  auto reader = CsvRecordReader::FromSource(MakeMemorySource(text, "mem.csv"), options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return std::move(reader).value();
}

using Fields = std::vector<std::string>;

TEST(CsvRecordReaderTest, SplitsPlainLinesAndKeepsRawBytesAndLineNumbers) {
  auto reader = FromText("a,b,c\n1,2,3\n4,,6\n");
  EXPECT_EQ(reader->header(), (Fields{"a", "b", "c"}));
  EXPECT_EQ(reader->header_raw(), "a,b,c\n");
  auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(rows[0].raw, "1,2,3\n");
  EXPECT_EQ(rows[0].line, 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"4", "", "6"}));
  EXPECT_EQ(rows[1].line, 3u);
}

TEST(CsvRecordReaderTest, AcceptsCrlfAndAMissingFinalNewline) {
  auto reader = FromText("a,b\r\n1,2\r\n\"x\",\"y\"\r\n3,4");
  auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"1", "2"}));
  EXPECT_EQ(rows[0].raw, "1,2\r\n");
  EXPECT_EQ(rows[1].fields, (Fields{"x", "y"}));
  EXPECT_EQ(rows[1].raw, "\"x\",\"y\"\r\n");
  EXPECT_EQ(rows[2].fields, (Fields{"3", "4"}));
  EXPECT_EQ(rows[2].raw, "3,4");
  EXPECT_EQ(rows[2].line, 4u);
}

TEST(CsvRecordReaderTest, UnquotesFieldsWithCommasEscapedQuotesAndLineBreaks) {
  auto reader = FromText(
      "a,b,c\n"
      "\"x,y\",\"say \"\"hi\"\"\",\"\"\n"
      "\"two\nlines\",\"\"\"\",z\n"
      "last,\"\",\n");
  auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"x,y", "say \"hi\"", ""}));
  EXPECT_EQ(rows[1].fields, (Fields{"two\nlines", "\"", "z"}));
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows[1].raw, "\"two\nlines\",\"\"\"\",z\n");
  EXPECT_EQ(rows[2].fields, (Fields{"last", "", ""}));
  EXPECT_EQ(rows[2].line, 5u);  // the record above spans lines 3 and 4
}

TEST(CsvRecordReaderTest, QuotedLastFieldWithoutFinalNewline) {
  auto rows = ReadAll(*FromText("a,b\n1,\"2\""));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"1", "2"}));
}

TEST(CsvRecordReaderTest, ChecksTheHeader) {
  CsvReaderOptions options;
  options.expected_header = {"a", "b"};
  EXPECT_TRUE(CsvRecordReader::FromSource(MakeMemorySource("a,b\n", "ok.csv"), options).ok());
  auto bad = CsvRecordReader::FromSource(MakeMemorySource("a,c\n1,2\n", "bad.csv"), options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.csv:1"), std::string::npos);
  EXPECT_NE(bad.status().message().find("'a,c'"), std::string::npos);
  auto empty = CsvRecordReader::FromSource(MakeMemorySource("", "empty.csv"), options);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty.csv: empty file"), std::string::npos);
}

TEST(CsvRecordReaderTest, IgnoresAByteOrderMarkInTheHeader) {
  CsvReaderOptions options;
  options.expected_header = {"a", "b"};
  auto reader = CsvRecordReader::FromSource(MakeMemorySource("\xEF\xBB\xBF"
                                                             "a,b\n",
                                                             "bom.csv"),
                                            options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->header_raw(),
            "\xEF\xBB\xBF"
            "a,b\n");
}

TEST(CsvRecordReaderTest, ReportsAWrongFieldCountWithFileAndLineAndGoesOn) {
  auto rows = ReadAll(*FromText("a,b\n1,2\n1,2,3\n4\n5,6\n"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].fields[0], "ERROR mem.csv:3: expected 2 fields, found 3");
  EXPECT_EQ(rows[2].fields[0], "ERROR mem.csv:4: expected 2 fields, found 1");
  EXPECT_EQ(rows[3].fields, (Fields{"5", "6"}));
  EXPECT_EQ(rows[3].line, 5u);
}

TEST(CsvRecordReaderTest, ReportsTextAfterAClosingQuoteAndSkipsThatLine) {
  auto rows = ReadAll(*FromText("a,b\n\"1\"x,2\n3,4\n"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields[0], "ERROR mem.csv:2: unexpected text after a closing quote");
  EXPECT_EQ(rows[1].fields, (Fields{"3", "4"}));
}

TEST(CsvRecordReaderTest, ReportsAnUnterminatedQuote) {
  auto rows = ReadAll(*FromText("a,b\n1,2\n3,\"open\n"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields[0], "ERROR mem.csv:3: unterminated quoted field");
}

TEST(CsvRecordReaderTest, BoundsARunawayQuotedRecord) {
  CsvReaderOptions options;
  options.max_record_bytes = 64;
  std::string text = "a,b\n1,\"" + std::string(40, 'x') + "\n" + std::string(40, 'y') + "\n7,8\n";
  auto reader = CsvRecordReader::FromSource(MakeMemorySource(text, "trickle.csv", 7), options);
  ASSERT_TRUE(reader.ok());
  auto rows = ReadAll(**reader);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields[0],
            "ERROR trickle.csv:2: record longer than 64 bytes (a quote never closed?)");
  EXPECT_EQ(rows[1].fields[0], "ERROR trickle.csv:3: expected 2 fields, found 1");
  EXPECT_EQ(rows[2].fields, (Fields{"7", "8"}));
  EXPECT_EQ(rows[2].line, 4u);
}

TEST(CsvRecordReaderTest, SkipsBlankLines) {
  auto rows = ReadAll(*FromText("a,b\n1,2\n\n\r\n3,4\n\n"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"3", "4"}));
  EXPECT_EQ(rows[1].line, 5u);
}

TEST(CsvRecordReaderTest, TinyReadsGiveTheSameRecordsAndRawBytesConcatenateToTheInput) {
  std::string body;
  for (int i = 0; i < 300; ++i) {
    body += std::to_string(i) + ",\"q" + std::to_string(i) + "\"\"x\",\"multi\nline\"\r\n";
    body += "plain" + std::to_string(i) + ",,z\n";
  }
  std::string text = "a,b,c\n" + body;
  auto whole = ReadAll(*FromText(text));
  for (size_t step : {1, 2, 3, 5, 64}) {
    auto reader = CsvRecordReader::FromSource(MakeMemorySource(text, "trickle.csv", step), {});
    ASSERT_TRUE(reader.ok());
    auto trickled = ReadAll(**reader);
    ASSERT_EQ(trickled.size(), whole.size()) << "step " << step;
    std::string raw;
    for (size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(trickled[i].fields, whole[i].fields);
      EXPECT_EQ(trickled[i].line, whole[i].line);
      raw += trickled[i].raw;
    }
    EXPECT_EQ(raw, body);
  }
  ASSERT_EQ(whole.size(), 600u);
  EXPECT_EQ(whole[2].fields, (Fields{"1", "q1\"x", "multi\nline"}));
  EXPECT_EQ(whole[599].line, 2u + 299 * 3 + 2);
}

TEST(CsvRecordReaderTest, ReportsProgressInBytes) {
  auto reader = FromText("a\n1\n2\n");
  ReadAll(*reader);
  EXPECT_EQ(reader->bytes_consumed(), 6u);
  EXPECT_EQ(reader->total_bytes(), 6u);
  EXPECT_EQ(reader->records_read(), 2u);
}

}  // namespace
}  // namespace shopstream::csv
