#include "archive/parquet_format.h"

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

#include <iterator>

#include "event/contract.h"

namespace shopstream::archive {
namespace {

Status FromArrow(const arrow::Status& s, const char* what) {
  if (s.ok()) return Status::Ok();
  return Status::Internal(std::string("Parquet: ") + what + ": " + s.ToString());
}

#define SS_ARROW_RETURN(expr, what)                                 \
  do {                                                              \
    if (Status _s = FromArrow((expr), (what)); !_s.ok()) return _s; \
  } while (0)

std::shared_ptr<arrow::Schema> EventSchema() {
  return arrow::schema({
      arrow::field("id", arrow::utf8(), false),
      arrow::field("event_time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), false),
      arrow::field("event_type", arrow::utf8(), false),
      arrow::field("product_id", arrow::int64(), false),
      arrow::field("category_id", arrow::int64(), false),
      arrow::field("category_code", arrow::utf8(), true),
      arrow::field("brand", arrow::utf8(), true),
      arrow::field("price", arrow::float32(), false),
      arrow::field("user_id", arrow::int64(), false),
      arrow::field("user_session", arrow::utf8(), true),
      arrow::field("bus_partition", arrow::int32(), false),
      arrow::field("bus_offset", arrow::int64(), false),
  });
}

std::shared_ptr<arrow::Schema> DeadLetterSchema() {
  return arrow::schema({
      arrow::field("bus_partition", arrow::int32(), false),
      arrow::field("bus_offset", arrow::int64(), false),
      arrow::field("reason", arrow::utf8(), false),
      arrow::field("payload", arrow::binary(), false),
      // The code and field of the reason (event/contract.h), as the processed store keeps them.
      arrow::field("code", arrow::utf8(), false),
      arrow::field("field", arrow::utf8(), true),
  });
}

// A Parquet file in memory: record batches in, row groups out, the bytes at the end.
class ParquetSink {
 public:
  ParquetSink(std::shared_ptr<arrow::Schema> schema, arrow::Compression::type compression)
      : schema_(std::move(schema)), compression_(compression) {}

  Status WriteBatch(const std::shared_ptr<arrow::RecordBatch>& batch) {
    if (!writer_) {
      auto sink = arrow::io::BufferOutputStream::Create();
      if (!sink.ok()) return FromArrow(sink.status(), "opening a buffer");
      sink_ = *sink;
      auto properties = parquet::WriterProperties::Builder()
                            .compression(compression_)
                            ->enable_dictionary()
                            ->enable_statistics()
                            ->max_row_group_length(batch->num_rows() + 1)
                            ->build();
      auto arrow_properties = parquet::ArrowWriterProperties::Builder().store_schema()->build();
      auto writer = parquet::arrow::FileWriter::Open(*schema_, arrow::default_memory_pool(), sink_,
                                                     properties, arrow_properties);
      if (!writer.ok()) return FromArrow(writer.status(), "opening a file");
      writer_ = std::move(*writer);
    }
    // One call, one row group: the builders were filled up to the row group's size.
    SS_ARROW_RETURN(writer_->NewRowGroup(), "starting a row group");
    for (int i = 0; i < batch->num_columns(); ++i) {
      SS_ARROW_RETURN(writer_->WriteColumnChunk(*batch->column(i)), "writing a column");
    }
    return Status::Ok();
  }

  Result<std::string> Finish() {
    if (!writer_) {  // no rows: still a valid file, with the schema
      auto empty = arrow::RecordBatch::MakeEmpty(schema_);
      if (!empty.ok()) return FromArrow(empty.status(), "an empty batch");
      if (Status s = WriteBatch(*empty); !s.ok()) return s;
    }
    SS_ARROW_RETURN(writer_->Close(), "closing the file");
    auto buffer = sink_->Finish();
    if (!buffer.ok()) return FromArrow(buffer.status(), "finishing the buffer");
    return (*buffer)->ToString();
  }

 private:
  std::shared_ptr<arrow::Schema> schema_;
  arrow::Compression::type compression_;
  std::shared_ptr<arrow::io::BufferOutputStream> sink_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
};

template <typename Builder, typename Value>
arrow::Status AppendOptional(Builder& builder, const std::optional<Value>& value) {
  return value ? builder.Append(*value) : builder.AppendNull();
}

class ParquetEventFile final : public EventFileBuilder {
 public:
  ParquetEventFile(arrow::Compression::type compression, int64_t row_group_rows)
      : sink_(EventSchema(), compression),
        row_group_rows_(row_group_rows),
        time_(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), arrow::default_memory_pool()) {}

  Status Add(const Event& e, int64_t time_us, const BusPosition& position) override {
    arrow::Status s = id_.Append(e.id);
    if (s.ok()) s = time_.Append(time_us);
    if (s.ok()) s = type_.Append(e.event_type);
    if (s.ok()) s = product_.Append(e.product_id);
    if (s.ok()) s = category_.Append(e.category_id);
    if (s.ok()) s = AppendOptional(code_, e.category_code);
    if (s.ok()) s = AppendOptional(brand_, e.brand);
    if (s.ok()) s = price_.Append(static_cast<float>(e.price));
    if (s.ok()) s = user_.Append(e.user_id);
    if (s.ok()) s = AppendOptional(session_, e.user_session);
    if (s.ok()) s = partition_.Append(position.partition);
    if (s.ok()) s = offset_.Append(position.offset);
    SS_ARROW_RETURN(s, "adding an event");
    if (id_.length() >= row_group_rows_) return Flush();
    return Status::Ok();
  }

  Result<std::string> Finish() override {
    if (id_.length() > 0) {
      if (Status s = Flush(); !s.ok()) return s;
    }
    return sink_.Finish();
  }

 private:
  Status Flush() {
    const int64_t rows = id_.length();
    std::vector<std::shared_ptr<arrow::Array>> columns(12);
    arrow::ArrayBuilder* builders[] = {&id_,    &time_,  &type_, &product_, &category_,  &code_,
                                       &brand_, &price_, &user_, &session_, &partition_, &offset_};
    for (size_t i = 0; i < columns.size(); ++i) {
      SS_ARROW_RETURN(builders[i]->Finish(&columns[i]), "finishing a column");
    }
    return sink_.WriteBatch(arrow::RecordBatch::Make(EventSchema(), rows, std::move(columns)));
  }

  ParquetSink sink_;
  int64_t row_group_rows_;
  arrow::StringBuilder id_;
  arrow::TimestampBuilder time_;
  arrow::StringBuilder type_;
  arrow::Int64Builder product_;
  arrow::Int64Builder category_;
  arrow::StringBuilder code_;
  arrow::StringBuilder brand_;
  arrow::FloatBuilder price_;
  arrow::Int64Builder user_;
  arrow::StringBuilder session_;
  arrow::Int32Builder partition_;
  arrow::Int64Builder offset_;
};

class ParquetDeadLetterFile final : public DeadLetterFileBuilder {
 public:
  explicit ParquetDeadLetterFile(arrow::Compression::type compression)
      : sink_(DeadLetterSchema(), compression) {}

  Status Add(const DeadLetter& d) override {
    arrow::Status s = partition_.Append(d.position.partition);
    if (s.ok()) s = offset_.Append(d.position.offset);
    if (s.ok()) s = reason_.Append(d.reason);
    if (s.ok()) s = payload_.Append(d.payload);
    if (s.ok()) s = code_.Append(d.code.empty() ? "other" : d.code);
    if (s.ok()) s = d.field.empty() ? field_.AppendNull() : field_.Append(d.field);
    SS_ARROW_RETURN(s, "adding a dead letter");
    return Status::Ok();
  }

  Result<std::string> Finish() override {
    if (partition_.length() > 0) {
      const int64_t rows = partition_.length();
      arrow::ArrayBuilder* builders[] = {&partition_, &offset_, &reason_,
                                         &payload_,   &code_,   &field_};
      std::vector<std::shared_ptr<arrow::Array>> columns(std::size(builders));
      for (size_t i = 0; i < columns.size(); ++i) {
        SS_ARROW_RETURN(builders[i]->Finish(&columns[i]), "finishing a column");
      }
      Status s =
          sink_.WriteBatch(arrow::RecordBatch::Make(DeadLetterSchema(), rows, std::move(columns)));
      if (!s.ok()) return s;
    }
    return sink_.Finish();
  }

 private:
  ParquetSink sink_;
  arrow::Int32Builder partition_;
  arrow::Int64Builder offset_;
  arrow::StringBuilder reason_;
  arrow::BinaryBuilder payload_;
  arrow::StringBuilder code_;
  arrow::StringBuilder field_;
};

class ParquetFormat final : public FileFormat {
 public:
  ParquetFormat(arrow::Compression::type compression, int64_t row_group_rows)
      : compression_(compression), row_group_rows_(row_group_rows) {}
  std::unique_ptr<EventFileBuilder> NewEventFile() override {
    return std::make_unique<ParquetEventFile>(compression_, row_group_rows_);
  }
  std::unique_ptr<DeadLetterFileBuilder> NewDeadLetterFile() override {
    return std::make_unique<ParquetDeadLetterFile>(compression_);
  }

 private:
  arrow::Compression::type compression_;
  int64_t row_group_rows_;
};

}  // namespace

Result<std::unique_ptr<FileFormat>> MakeParquetFormat(const ParquetOptions& options) {
  arrow::Compression::type compression;
  if (options.compression == "zstd") {
    compression = arrow::Compression::ZSTD;
  } else if (options.compression == "snappy") {
    compression = arrow::Compression::SNAPPY;
  } else if (options.compression == "none") {
    compression = arrow::Compression::UNCOMPRESSED;
  } else {
    return Status::InvalidArgument("compression '" + options.compression +
                                   "' is not one of zstd, snappy, none");
  }
  if (options.row_group_rows < 1) {
    return Status::InvalidArgument("a row group holds at least one row");
  }
  return std::unique_ptr<FileFormat>(
      std::make_unique<ParquetFormat>(compression, options.row_group_rows));
}

}  // namespace shopstream::archive
