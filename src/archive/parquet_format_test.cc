// The Parquet files read back with Arrow's own reader: schema, values, nulls, row groups,
// compression. (The integration tests read them with pyarrow and DuckDB as well.)
#include "archive/parquet_format.h"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

namespace shopstream::archive {
namespace {

std::shared_ptr<arrow::Table> ReadBack(const std::string& bytes,
                                       std::shared_ptr<parquet::FileMetaData>* meta = nullptr) {
  auto input = std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(bytes));
  auto reader = parquet::arrow::OpenFile(input, arrow::default_memory_pool());
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (meta) *meta = (*reader)->parquet_reader()->metadata();
  auto table = (*reader)->ReadTable();
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return (*table)->CombineChunks().ValueOrDie();
}

Event Sample(int i) {
  Event e;
  e.event_time = "2019-11-08 08:14:53 UTC";
  e.event_type = i % 2 ? "cart" : "view";
  e.product_id = 1000 + i;
  e.category_id = 2053013555631882655;
  if (i % 3) e.category_code = "electronics.smartphone";
  if (i % 4) e.brand = "apple";
  e.price = 489.07;
  e.user_id = 520088904;
  if (i % 5) e.user_session = "4d3b30da-a5e4-49df-b1a8-ba5943f1dd33";
  e.id = "0b0c3d5e-0000-11ee-8000-00000000000" + std::to_string(i % 10);
  return e;
}

TEST(ParquetFormat, EventsRoundTripWithTheirTypes) {
  auto format = MakeParquetFormat({.compression = "zstd", .row_group_rows = 4});
  ASSERT_TRUE(format.ok());
  auto file = (*format)->NewEventFile();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(file->Add(Sample(i), 1573200893'000000 + i, {2, 100 + i}).ok());
  }
  auto bytes = file->Finish();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  std::shared_ptr<parquet::FileMetaData> meta;
  auto table = ReadBack(*bytes, &meta);
  ASSERT_EQ(table->num_rows(), 10);
  EXPECT_EQ(meta->num_row_groups(), 3);  // 4 + 4 + 2
  EXPECT_EQ(meta->RowGroup(0)->ColumnChunk(0)->compression(), arrow::Compression::ZSTD);
  EXPECT_EQ(table->schema()->field(1)->type()->ToString(), "timestamp[us, tz=UTC]");
  EXPECT_EQ(table->schema()->field(7)->type()->id(), arrow::Type::FLOAT);
  EXPECT_EQ(table->schema()->GetFieldByName("bus_offset")->type()->id(), arrow::Type::INT64);

  auto ts = std::static_pointer_cast<arrow::TimestampArray>(table->column(1)->chunk(0));
  EXPECT_EQ(ts->Value(3), 1573200893'000003);
  auto code = std::static_pointer_cast<arrow::StringArray>(
      table->GetColumnByName("category_code")->chunk(0));
  EXPECT_TRUE(code->IsNull(0));
  EXPECT_EQ(code->GetString(1), "electronics.smartphone");
  auto brand =
      std::static_pointer_cast<arrow::StringArray>(table->GetColumnByName("brand")->chunk(0));
  EXPECT_TRUE(brand->IsNull(4));
  auto price =
      std::static_pointer_cast<arrow::FloatArray>(table->GetColumnByName("price")->chunk(0));
  EXPECT_FLOAT_EQ(price->Value(0), 489.07f);
  auto category =
      std::static_pointer_cast<arrow::Int64Array>(table->GetColumnByName("category_id")->chunk(0));
  EXPECT_EQ(category->Value(0), 2053013555631882655);
  auto offset =
      std::static_pointer_cast<arrow::Int64Array>(table->GetColumnByName("bus_offset")->chunk(0));
  auto partition = std::static_pointer_cast<arrow::Int32Array>(
      table->GetColumnByName("bus_partition")->chunk(0));
  EXPECT_EQ(offset->Value(9), 109);
  EXPECT_EQ(partition->Value(9), 2);
  auto type =
      std::static_pointer_cast<arrow::StringArray>(table->GetColumnByName("event_type")->chunk(0));
  EXPECT_EQ(type->GetString(1), "cart");
}

TEST(ParquetFormat, DeadLettersKeepReasonAndBytes) {
  auto format = MakeParquetFormat({.compression = "snappy"});
  ASSERT_TRUE(format.ok());
  auto file = (*format)->NewDeadLetterFile();
  std::string junk("\xff\x00{", 3);
  // The code is the one given, whatever the reason's wording.
  ASSERT_TRUE(file->Add({{0, 7}, "not JSON: junk", junk, "json.syntax", ""}).ok());
  auto bytes = file->Finish();
  ASSERT_TRUE(bytes.ok());
  auto table = ReadBack(*bytes);
  ASSERT_EQ(table->num_rows(), 1);
  auto payload =
      std::static_pointer_cast<arrow::BinaryArray>(table->GetColumnByName("payload")->chunk(0));
  EXPECT_EQ(payload->GetString(0), junk);
  auto reason =
      std::static_pointer_cast<arrow::StringArray>(table->GetColumnByName("reason")->chunk(0));
  EXPECT_EQ(reason->GetString(0), "not JSON: junk");
  auto code =
      std::static_pointer_cast<arrow::StringArray>(table->GetColumnByName("code")->chunk(0));
  EXPECT_EQ(code->GetString(0), "json.syntax");
  EXPECT_TRUE(table->GetColumnByName("field")->chunk(0)->IsNull(0));
}

TEST(ParquetFormat, AnEmptyFileStillHasItsSchemaAndBadOptionsAreRefused) {
  auto format = MakeParquetFormat({});
  auto bytes = (*format)->NewEventFile()->Finish();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ReadBack(*bytes)->num_columns(), 12);
  EXPECT_EQ(MakeParquetFormat({.compression = "lzma"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeParquetFormat({.row_group_rows = 0}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shopstream::archive
