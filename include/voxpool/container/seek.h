// What a reader that plays a container file from a start point uses (lib/demux-file.js): how
// much it reads at a time and the latest start it takes. The seeking itself is the demuxers'
// (OggDemuxer::Seek with FindOggPage, WebmDemuxer::Seek with its index events).
#pragma once

#include <cstddef>
#include <cstdint>

#include "voxpool/container/webm_demuxer.h"

namespace voxpool::container {

// Bytes read from the file per demuxer chunk: a few pages or blocks, one pool job each.
inline constexpr size_t kContainerReadBytes = 1u << 16;
// Bytes read per bisection step of an Ogg seek: room for the largest page (65,307 bytes) whole
// wherever the window begins.
inline constexpr size_t kOggSeekWindowBytes = 1u << 17;
// The latest start, in milliseconds: kWebmMaxStartNs (also well within kOggMaxStartSamples).
inline constexpr double kContainerMaxStartMs = static_cast<double>(kWebmMaxStartNs) / 1e6;

}  // namespace voxpool::container
