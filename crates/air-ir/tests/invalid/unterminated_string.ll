target triple = "air64_v28-apple-macosx26.0.0
