// Reading the 2019-Nov CSV (.csv, .csv.gz, one-file .zip): CsvRecordReader yields raw
// records with their bytes and line numbers; CsvEventReader turns them into Events.
#pragma once

#include "csv/byte_source.h"        // IWYU pragma: export
#include "csv/csv_event_reader.h"   // IWYU pragma: export
#include "csv/csv_record_reader.h"  // IWYU pragma: export
