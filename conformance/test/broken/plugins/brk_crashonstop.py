from broken import main

main("brk_crashonstop", "crashonstop")
