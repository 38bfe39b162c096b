from broken import main

main("brk_hanswer", "hanswer")
