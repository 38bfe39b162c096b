from broken import main

main("brk_noshake", "noshake")
