// Frames of the CQL native protocol v4 (spec section 2): a 9-byte header
//   version(1) flags(1) stream(2, signed) opcode(1) length(4)
// followed by `length` bytes of body. Requests carry version 0x04, responses 0x84.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream::cassandra {

enum class Opcode : uint8_t {
  kError = 0x00,
  kStartup = 0x01,
  kReady = 0x02,
  kAuthenticate = 0x03,
  kOptions = 0x05,
  kSupported = 0x06,
  kQuery = 0x07,
  kResult = 0x08,
  kPrepare = 0x09,
  kExecute = 0x0A,
  kRegister = 0x0B,
  kEvent = 0x0C,
  kBatch = 0x0D,
  kAuthChallenge = 0x0E,
  kAuthResponse = 0x0F,
  kAuthSuccess = 0x10,
};

const char* OpcodeName(Opcode op);

inline constexpr uint8_t kRequestVersion = 0x04;
inline constexpr uint8_t kResponseVersion = 0x84;
inline constexpr size_t kHeaderSize = 9;
// The spec limits a frame to 256 MB; anything larger is a broken stream, not a big result.
inline constexpr int32_t kMaxBodyLength = 256 * 1024 * 1024;

// Header flag bits.
inline constexpr uint8_t kFlagCompression = 0x01;
inline constexpr uint8_t kFlagTracing = 0x02;
inline constexpr uint8_t kFlagCustomPayload = 0x04;
inline constexpr uint8_t kFlagWarning = 0x08;

struct FrameHeader {
  uint8_t version = kRequestVersion;
  uint8_t flags = 0;
  int16_t stream = 0;
  Opcode opcode = Opcode::kStartup;
  int32_t length = 0;
};

struct Frame {
  FrameHeader header;
  std::string body;
};

// A whole request frame: header, then `body`, with the length field back-patched.
std::string EncodeFrame(int16_t stream, Opcode opcode, std::string_view body, uint8_t flags = 0,
                        uint8_t version = kRequestVersion);

// Decodes the first 9 bytes. Corruption if fewer are given, the version is not v4, the opcode
// is unknown or the length is negative or over the limit.
Result<FrameHeader> DecodeFrameHeader(std::string_view bytes);

// Decodes one whole frame that must be all of `bytes`: a truncated frame or trailing bytes
// are Corruption.
Result<Frame> DecodeFrame(std::string_view bytes);

// For a byte stream: how many bytes the first frame in `buffered` needs in total, 0 when
// even the header is not complete yet, or the header's error.
Result<size_t> FrameSizeIfKnown(std::string_view buffered);

}  // namespace shopstream::cassandra
