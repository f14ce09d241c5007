# Apache Arrow's and Parquet's C++ libraries from the pyarrow wheel, which ships them with their
# headers (scripts/install-deps installs a pinned pyarrow into .cache/pyarrow-VERSION and makes
# the libarrow.so / libparquet.so links with pyarrow.create_library_symlinks()). Defines the
# imported targets Arrow::arrow and Arrow::parquet when found; the build RPATH points at the
# wheel's folder, so the binaries run from the build tree.
set(SHOPSTREAM_PYARROW_VERSION 26.0.1)
set(SHOPSTREAM_PYARROW_PYTHON
  "${PROJECT_SOURCE_DIR}/.cache/pyarrow-${SHOPSTREAM_PYARROW_VERSION}/bin/python"
  CACHE FILEPATH "A Python whose pyarrow provides Arrow's C++ headers and libraries")

function(shopstream_find_arrow)
  if(NOT EXISTS "${SHOPSTREAM_PYARROW_PYTHON}")
    set(SHOPSTREAM_ARROW_MISSING "${SHOPSTREAM_PYARROW_PYTHON} does not exist" PARENT_SCOPE)
    return()
  endif()
  execute_process(
    COMMAND "${SHOPSTREAM_PYARROW_PYTHON}" -c
      "import pyarrow as pa; pa.create_library_symlinks(); print(pa.get_include()); print(pa.get_library_dirs()[0]); print(pa.__version__)"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    set(SHOPSTREAM_ARROW_MISSING "pyarrow does not import: ${err}" PARENT_SCOPE)
    return()
  endif()
  string(REPLACE "\n" ";" lines "${out}")
  list(GET lines 0 include_dir)
  list(GET lines 1 lib_dir)
  list(GET lines 2 version)
  find_library(SHOPSTREAM_ARROW_LIB NAMES arrow PATHS "${lib_dir}" NO_DEFAULT_PATH)
  find_library(SHOPSTREAM_PARQUET_LIB NAMES parquet PATHS "${lib_dir}" NO_DEFAULT_PATH)
  if(NOT SHOPSTREAM_ARROW_LIB OR NOT SHOPSTREAM_PARQUET_LIB OR NOT EXISTS "${include_dir}/parquet/arrow/writer.h")
    set(SHOPSTREAM_ARROW_MISSING "no libarrow, libparquet or parquet headers in ${lib_dir}" PARENT_SCOPE)
    return()
  endif()
  add_library(Arrow::arrow SHARED IMPORTED GLOBAL)
  set_target_properties(Arrow::arrow PROPERTIES
    IMPORTED_LOCATION "${SHOPSTREAM_ARROW_LIB}"
    INTERFACE_INCLUDE_DIRECTORIES "${include_dir}")
  add_library(Arrow::parquet SHARED IMPORTED GLOBAL)
  set_target_properties(Arrow::parquet PROPERTIES
    IMPORTED_LOCATION "${SHOPSTREAM_PARQUET_LIB}"
    INTERFACE_LINK_LIBRARIES Arrow::arrow)
  message(STATUS "Arrow and Parquet C++ ${version} from pyarrow: ${lib_dir}")
endfunction()
