"""across"""
