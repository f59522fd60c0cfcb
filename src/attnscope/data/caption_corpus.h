// Captioned photographs on disk: a caption file and the images it names, read into
// (image file, its reference captions) and split by image with a seed.
//   CSV   `image,caption` (Flickr8k as Kaggle packs it: a header, one row per caption, captions
//         with commas double-quoted; data/csv.h); the header may name other columns too, and
//         without a header the first two columns are image and caption
//   TSV   `IMAGE#N<tab>caption` a line (Flickr8k.token.txt, Flickr30k's results_20130124.token:
//         the datasets as first published), told by a tab in the first line
//   PSV   `image_name| comment_number| comment` (Flickr30k as Kaggle packs it), told by a '|' and
//         no comma in the first line
//   JSON  COCO style: {"images": [{"id", "file_name"}], "annotations": [{"image_id", "caption"}]}
// The images are looked up in the caption file's folder, else in the first of its sub-folders
// (sorted by name) that holds every named image. A directory given instead of a file: the one
// .csv/.txt/.token/.json file in it whose images are all there (Flickr8k's folder holds the full
// caption list beside the 1,000-image subset; only the subset's images are present).
// Captions become lower-cased words, punctuation dropped (as coco-caption's tokenizer does before
// BLEU and CIDEr). Every failure is a FormatError/IoError naming the file and, for rows, the line.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::data {

struct CaptionedImage {
  std::string name;                               // as the caption file spells it
  std::string path;                               // the image file found for it
  std::vector<std::vector<std::string>> captions; // the references, as words
};

struct CaptionCorpus {
  std::string source;                  // the caption file read
  std::vector<CaptionedImage> images;  // in the file's order of first mention
};

struct CaptionSplit {
  std::vector<CaptionedImage> train, valid, test;
};

// Largest caption file read (bytes).
inline constexpr int64_t kMaxCaptionFileBytes = int64_t{256} << 20;

// Lower-cased words of a caption; ASCII punctuation separates words and is dropped (an
// apostrophe inside a word stays: "dog's").
std::vector<std::string> caption_words(const std::string& text);

// Reads a caption file (or a directory holding one; see above).
CaptionCorpus read_caption_corpus(const std::string& path);

// Parses caption text without touching the disk (for tests and fuzzing): `json` picks JSON, else
// the first line tells CSV, TSV or PSV; image paths are left empty.
CaptionCorpus parse_caption_text(const std::string& text, const std::string& name, bool json);

// A seeded shuffle of the images, then test and valid shares of them (each at least one image
// when there are three or more); the rest trains. Every caption of an image stays with it.
CaptionSplit split_caption_corpus(const CaptionCorpus& corpus, uint64_t seed, double valid_share = 0.1,
                                  double test_share = 0.1);

}  // namespace attnscope::data
