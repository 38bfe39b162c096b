from broken import main

main("brk_none", "none")
