from broken import main

main("brk_raiseonstop", "raiseonstop")
