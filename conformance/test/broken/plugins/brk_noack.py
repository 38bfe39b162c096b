from broken import main

main("brk_noack", "noack")
