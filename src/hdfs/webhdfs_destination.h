// Destination on HDFS through its WebHDFS REST interface (HTTP to the NameNode; file bodies
// go to the DataNode it redirects to), so that no Hadoop library or JVM is needed:
//   hdfs://[USER@]HOST:PORT/PATH[?datanodes=HOST,HOST]   (also webhdfs://...)
// PORT is the NameNode's HTTP port (dfs.namenode.http-address, 9870 by default), not its RPC
// port. USER becomes WebHDFS's user.name (simple authentication; Kerberos is not supported);
// without it, $HADOOP_USER_NAME, else the login name. A file goes to the DataNode the NameNode
// redirects to only when that is on the NameNode's host or a host of `datanodes` (plain HTTP
// either way). Failures that a retry may cure (no answer, safe mode, no DataNode yet, a 5xx)
// are Unavailable; an unknown query option is InvalidArgument.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "archive/destination.h"
#include "common/uri.h"

namespace shopstream::hdfs {

struct WebHdfsOptions {
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds io_timeout{120};  // per request, bodies of tens of MB included
};

// Opens without contacting the server (the archiver's first call does, with retries).
Result<std::unique_ptr<archive::Destination>> OpenWebHdfsDestination(
    const Uri& uri, const WebHdfsOptions& options = {});

}  // namespace shopstream::hdfs
