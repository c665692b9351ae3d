"""Emergency ("cry for help") detection, independent of the intent classifier."""
