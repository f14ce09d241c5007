// `shopstream --version`: the build and the versions of the client libraries linked in.
#pragma once

#include <string>

namespace shopstream::cli {

std::string VersionText();

}  // namespace shopstream::cli
