# The libFuzzer targets, one file each (fuzz/NAME.cc), each with a seed corpus in
# fuzz/corpus/NAME/. Read by fuzz/CMakeLists.txt (the clang build that makes them) and by
# tests/CMakeLists.txt (the smoke test of each in CTest).
set(SHOPSTREAM_FUZZ_TARGETS
  csv_record_reader
  csv_event_reader
  event_decode_clean
  cql_decode
  dashboard_params
  http_request
  sketch_parse
  endpoint_uri
  dead_letter_line
  alert_rules
  kafka_metadata_decode)
