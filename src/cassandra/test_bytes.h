// Bytes written as a list of numbers, for the protocol's tests: Bytes({0x04, 0x00}).
#pragma once

#include <initializer_list>
#include <string>

namespace shopstream::cassandra {

inline std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s += static_cast<char>(b);
  return s;
}

}  // namespace shopstream::cassandra
